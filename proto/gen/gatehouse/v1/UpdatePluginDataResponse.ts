// Original file: proto/gatehouse/v1/gatehouse.proto


export interface UpdatePluginDataResponse {
  'data'?: ({[key: string]: string});
}

export interface UpdatePluginDataResponse__Output {
  'data': ({[key: string]: string});
}
