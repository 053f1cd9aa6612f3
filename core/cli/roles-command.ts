import { readFileSync } from 'node:fs';
import { UsageError } from './cli-error.ts';
import { withClient } from './connect.ts';
import { printJson, printTable } from './output.ts';
import { parseCommand, type CliEnv } from './parse-command.ts';

const USAGE = `Usage: gatehouse roles <command>

Commands:
  apply -f FILE   create or update the roles in a YAML file (Teleport v4 role format, --- between roles)
  ls
  show NAME       print a role's YAML
  rm NAME`;

export async function runRolesCommand(argv: string[], env: CliEnv): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'apply':
    case 'create': {
      const { values, globals } = parseCommand(rest, { file: { type: 'string', short: 'f' } }, 'Usage: gatehouse roles apply -f FILE', env);
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
      return;
    }
    case 'ls':
    case 'list': {
      const { globals } = parseCommand(rest, {}, 'Usage: gatehouse roles ls', env);
      await withClient(globals, async (client) => {
        const roles = await client.listRoles();
        if (globals.format === 'json') return printJson(roles.map((r) => ({ name: r.name, preset: r.preset, yaml: r.yaml })));
        printTable(['Role', 'Kind'], roles.map((r) => [r.name, r.preset ? 'preset' : 'custom']));
      });
      return;
    }
    case 'show':
    case 'get': {
      const { positionals, globals } = parseCommand(rest, {}, 'Usage: gatehouse roles show NAME', env);
      const name = positionals[0];
      if (!name) throw new UsageError('gatehouse roles show: missing NAME');
      await withClient(globals, async (client) => {
        const role = await client.getRole(name);
        if (globals.format === 'json') return printJson({ name: role.name, preset: role.preset, yaml: role.yaml });
        process.stdout.write(role.yaml.endsWith('\n') ? role.yaml : `${role.yaml}\n`);
      });
      return;
    }
    case 'rm':
    case 'delete': {
      const { positionals, globals } = parseCommand(rest, {}, 'Usage: gatehouse roles rm NAME', env);
      const name = positionals[0];
      if (!name) throw new UsageError('gatehouse roles rm: missing NAME');
      await withClient(globals, async (client) => {
        await client.deleteRole(name);
        if (globals.format === 'json') return printJson({ deleted: name });
        process.stdout.write(`role "${name}" deleted\n`);
      });
      return;
    }
    case undefined:
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "roles ${sub}"\n\n${USAGE}`);
  }
}
