package conversation

import "time"

const (
	lee = "ULEE" // learner
	mo  = "UMO"  // approver
	sam = "USAM" // neither
)

var start = time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC) // a Friday
