// Original file: proto/gatehouse/v1/gatehouse.proto


export interface PluginDataEntry {
  'data'?: ({[key: string]: string});
}

export interface PluginDataEntry__Output {
  'data': ({[key: string]: string});
}
