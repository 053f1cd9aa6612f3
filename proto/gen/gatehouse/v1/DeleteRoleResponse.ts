// Original file: proto/gatehouse/v1/gatehouse.proto


export interface DeleteRoleResponse {
}

export interface DeleteRoleResponse__Output {
}
