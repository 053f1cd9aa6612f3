// Original file: proto/gatehouse/v1/gatehouse.proto


export interface GetClusterCAResponse {
  'caPems'?: (string)[];
  'clusterName'?: (string);
}

export interface GetClusterCAResponse__Output {
  'caPems': (string)[];
  'clusterName': (string);
}
