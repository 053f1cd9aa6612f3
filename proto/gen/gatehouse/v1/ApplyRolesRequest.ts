// Original file: proto/gatehouse/v1/gatehouse.proto


export interface ApplyRolesRequest {
  'yaml'?: (string);
  'source'?: (string);
}

export interface ApplyRolesRequest__Output {
  'yaml': (string);
  'source': (string);
}
