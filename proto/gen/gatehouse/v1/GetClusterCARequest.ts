// Original file: proto/gatehouse/v1/gatehouse.proto


export interface GetClusterCARequest {
}

export interface GetClusterCARequest__Output {
}
