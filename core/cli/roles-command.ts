import { readFileSync } from 'node:fs';
import { UsageError } from './cli-error.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { withClient } from './connect.ts';
import { printJson, printTable } from './output.ts';

const NAME_ARG = [{ name: 'NAME', description: 'the role name' }] as const;

const apply = defineCommand({
  name: 'apply',
  aliases: ['create'],
  summary: 'create or update the roles in a YAML file (Teleport v4 role format, --- between roles)',
  flags: { file: { type: 'string', short: 'f', value: 'FILE', file: true, description: "the YAML file ('-': standard input)" } },
  examples: ['gatehouse roles apply -f examples/roles.yaml', 'cat roles.yaml | gatehouse roles apply -f -'],
  async run({ values, globals }) {
    if (!values.file) throw new UsageError('gatehouse roles apply: -f FILE is required');
    let yaml: string;
    try {
      yaml = readFileSync(values.file === '-' ? 0 : values.file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${values.file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    await withClient(globals, async (client) => {
      const res = await client.applyRoles(yaml, values.file);
      if (globals.format === 'json') return printJson(res.roles.map((r) => r.name));
      for (const role of res.roles) process.stdout.write(`role "${role.name}" applied\n`);
    });
  },
});

const ls = defineCommand({
  name: 'ls',
  aliases: ['list'],
  summary: 'list roles, presets included',
  flags: {},
  examples: ['gatehouse roles ls'],
  async run({ globals }) {
    await withClient(globals, async (client) => {
      const roles = await client.listRoles();
      if (globals.format === 'json') return printJson(roles.map((r) => ({ name: r.name, preset: r.preset, yaml: r.yaml })));
      printTable(['Role', 'Kind'], roles.map((r) => [r.name, r.preset ? 'preset' : 'custom']));
    });
  },
});

const show = defineCommand({
  name: 'show',
  aliases: ['get'],
  summary: "print a role's YAML",
  args: NAME_ARG,
  flags: {},
  examples: ['gatehouse roles show access-plugin'],
  async run({ args, globals }) {
    await withClient(globals, async (client) => {
      const role = await client.getRole(args[0] ?? '');
      if (globals.format === 'json') return printJson({ name: role.name, preset: role.preset, yaml: role.yaml });
      process.stdout.write(role.yaml.endsWith('\n') ? role.yaml : `${role.yaml}\n`);
    });
  },
});

const rm = defineCommand({
  name: 'rm',
  aliases: ['delete'],
  summary: 'delete a role',
  args: NAME_ARG,
  flags: {},
  examples: ['gatehouse roles rm oncall-approver'],
  async run({ args, globals }) {
    const name = args[0] ?? '';
    await withClient(globals, async (client) => {
      await client.deleteRole(name);
      if (globals.format === 'json') return printJson({ deleted: name });
      process.stdout.write(`role "${name}" deleted\n`);
    });
  },
});

/** `gatehouse roles ...` (admin). */
export const rolesGroup: CommandGroup = {
  name: 'roles',
  aliases: ['role'],
  summary: '(admin) roles in Teleport v4 YAML: apply, ls, show, rm',
  commands: [apply, ls, show, rm],
};
