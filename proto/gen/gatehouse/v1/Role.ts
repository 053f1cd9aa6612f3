// Original file: proto/gatehouse/v1/gatehouse.proto


export interface Role {
  'name'?: (string);
  'yaml'?: (string);
  'preset'?: (boolean);
}

export interface Role__Output {
  'name': (string);
  'yaml': (string);
  'preset': (boolean);
}
