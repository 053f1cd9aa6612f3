// Original file: proto/gatehouse/v1/gatehouse.proto


export interface DeleteAccessRequestResponse {
}

export interface DeleteAccessRequestResponse__Output {
}
