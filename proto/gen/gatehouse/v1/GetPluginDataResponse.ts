// Original file: proto/gatehouse/v1/gatehouse.proto

import type { PluginDataEntry as _gatehouse_v1_PluginDataEntry, PluginDataEntry__Output as _gatehouse_v1_PluginDataEntry__Output } from '../../gatehouse/v1/PluginDataEntry';

export interface GetPluginDataResponse {
  'entries'?: ({[key: string]: _gatehouse_v1_PluginDataEntry});
}

export interface GetPluginDataResponse__Output {
  'entries': ({[key: string]: _gatehouse_v1_PluginDataEntry__Output});
}
