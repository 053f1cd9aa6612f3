// Original file: proto/gatehouse/v1/gatehouse.proto


export interface PingRequest {
}

export interface PingRequest__Output {
}
