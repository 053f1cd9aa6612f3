// Original file: proto/gatehouse/v1/gatehouse.proto


export interface ListRolesRequest {
}

export interface ListRolesRequest__Output {
}
