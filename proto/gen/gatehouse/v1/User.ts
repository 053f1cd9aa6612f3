// Original file: proto/gatehouse/v1/gatehouse.proto

import type { StringList as _gatehouse_v1_StringList, StringList__Output as _gatehouse_v1_StringList__Output } from '../../gatehouse/v1/StringList';
import type { Long } from '@grpc/proto-loader';

export interface User {
  'name'?: (string);
  'roles'?: (string)[];
  'traits'?: ({[key: string]: _gatehouse_v1_StringList});
  'createdMs'?: (number | string | Long);
}

export interface User__Output {
  'name': (string);
  'roles': (string)[];
  'traits': ({[key: string]: _gatehouse_v1_StringList__Output});
  'createdMs': (number);
}
