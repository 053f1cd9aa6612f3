// Original file: proto/gatehouse/v1/gatehouse.proto


export interface DeleteUserResponse {
}

export interface DeleteUserResponse__Output {
}
