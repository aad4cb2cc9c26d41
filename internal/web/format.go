package web

import (
	"strconv"
	"strings"
)

// currencyFormat is how a currency is written: its symbol and the number
// of digits of its minor unit.
type currencyFormat struct {
	Symbol   string `json:"symbol"`
	Decimals int    `json:"decimals"`
}

// currencies lists the currencies Tailor writes with a symbol; others are
// written with their ISO code.
var currencies = map[string]currencyFormat{
	"EUR": {"€", 2},
	"USD": {"$", 2},
	"GBP": {"£", 2},
	"CNY": {"¥", 2},
	"JPY": {"¥", 0},
	"KRW": {"₩", 0},
	"CHF": {"CHF ", 2},
	"INR": {"₹", 2},
}

func currencyOf(code string) currencyFormat {
	if c, ok := currencies[strings.ToUpper(code)]; ok {
		return c
	}
	if code == "" {
		return currencyFormat{Symbol: "", Decimals: 2}
	}
	return currencyFormat{Symbol: strings.ToUpper(code) + " ", Decimals: 2}
}

// formatMoney writes an amount in minor units of a currency, with the
// currency's symbol and thousands separated: "€1,249.00". The configurator's
// script formats the same way (static/configure.js), so prices do not change
// shape when it takes over.
func formatMoney(minor int64, currency string) string {
	c := currencyOf(currency)
	neg := minor < 0
	if neg {
		minor = -minor
	}
	scale := int64(1)
	for range c.Decimals {
		scale *= 10
	}
	whole := strconv.FormatInt(minor/scale, 10)
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	b.WriteString(c.Symbol)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if c.Decimals > 0 {
		frac := strconv.FormatInt(minor%scale, 10)
		b.WriteByte('.')
		b.WriteString(strings.Repeat("0", c.Decimals-len(frac)) + frac)
	}
	return b.String()
}
