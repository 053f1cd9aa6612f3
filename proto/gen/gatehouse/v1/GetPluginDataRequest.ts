// Original file: proto/gatehouse/v1/gatehouse.proto


export interface GetPluginDataRequest {
  'requestId'?: (string);
  'plugin'?: (string);
}

export interface GetPluginDataRequest__Output {
  'requestId': (string);
  'plugin': (string);
}
