// Original file: proto/gatehouse/v1/gatehouse.proto


export interface ListUsersRequest {
}

export interface ListUsersRequest__Output {
}
