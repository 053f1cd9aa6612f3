// Original file: proto/gatehouse/v1/gatehouse.proto


export interface StringList {
  'values'?: (string)[];
}

export interface StringList__Output {
  'values': (string)[];
}
