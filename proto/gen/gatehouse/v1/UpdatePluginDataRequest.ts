// Original file: proto/gatehouse/v1/gatehouse.proto


export interface UpdatePluginDataRequest {
  'requestId'?: (string);
  'plugin'?: (string);
  'set'?: ({[key: string]: string});
  'expect'?: ({[key: string]: string});
}

export interface UpdatePluginDataRequest__Output {
  'requestId': (string);
  'plugin': (string);
  'set': ({[key: string]: string});
  'expect': ({[key: string]: string});
}
