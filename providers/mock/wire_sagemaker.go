package mock

import (
	"bytes"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// sagemakerWire is SageMaker's InvokeEndpointWithResponseStream with a TGI
// container behind it: the TGI stream of tgiWire, each event cut in two
// PayloadPart messages of an AWS event stream, as SageMaker forwards a
// container's bytes without regard for its events. Requests are not
// checked for a signature.
type sagemakerWire struct{ tgi tgiWire }

func (f sagemakerWire) parse(r *http.Request, body []byte) (genRequest, error) {
	req, err := f.tgi.parse(r, body)
	req.model = "sagemaker"
	return req, err
}

// errorBody is the AWS JSON protocol's error shape.
func (sagemakerWire) errorBody(status int, msg string) []byte {
	return jsonLine(map[string]any{"message": msg})
}

func (sagemakerWire) contentType() string { return "application/vnd.amazon.eventstream" }

func (sagemakerWire) open(*generation) []byte { return nil }

func (f sagemakerWire) token(g *generation, i int) []byte {
	payload := f.tgi.token(g, i)
	half := len(payload) / 2
	var buf bytes.Buffer
	enc := eventstream.NewEncoder()
	for _, part := range [][]byte{payload[:half], payload[half:]} {
		msg := eventstream.Message{Headers: eventstream.Headers{
			{Name: ":event-type", Value: eventstream.StringValue("PayloadPart")},
			{Name: ":content-type", Value: eventstream.StringValue("application/octet-stream")},
			{Name: ":message-type", Value: eventstream.StringValue("event")},
		}, Payload: part}
		if err := enc.Encode(&buf, msg); err != nil {
			panic("mock: encoding an event stream message: " + err.Error())
		}
	}
	return buf.Bytes()
}
