// Package tokens counts tokens with an embedded BPE vocabulary (o200k_base
// from github.com/tiktoken-go/tokenizer), so that nothing is downloaded.
package tokens

import (
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// Name is the vocabulary used by Count and Encode.
const Name = "o200k_base"

var (
	once  sync.Once
	codec tokenizer.Codec
	err   error
)

func load() (tokenizer.Codec, error) {
	once.Do(func() { codec, err = tokenizer.Get(tokenizer.O200kBase) })
	return codec, err
}

// Count returns the number of o200k_base tokens in text.
func Count(text string) (int, error) {
	c, err := load()
	if err != nil {
		return 0, err
	}
	return c.Count(text)
}

// Decode returns the text of token ids.
func Decode(ids []uint) (string, error) {
	c, err := load()
	if err != nil {
		return "", err
	}
	return c.Decode(ids)
}

// Encode returns the token ids of text.
func Encode(text string) ([]uint, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	ids, _, err := c.Encode(text)
	return ids, err
}
