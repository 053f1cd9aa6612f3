// Original file: proto/gatehouse/v1/gatehouse.proto


export interface Threshold {
  'name'?: (string);
  'filter'?: (string);
  'approve'?: (number);
  'deny'?: (number);
}

export interface Threshold__Output {
  'name': (string);
  'filter': (string);
  'approve': (number);
  'deny': (number);
}
