package population

// Regions and age bands as the account package names them.
var (
	everywhere = map[string]float64{"europe": 4, "north-america": 3, "latin-america": 1, "asia-pacific": 3, "middle-east-africa": 1, "": 1}
	young      = map[string]float64{"18-24": 4, "25-34": 4, "35-44": 1, "": 1}
	middle     = map[string]float64{"25-34": 3, "35-44": 4, "45-54": 3, "": 1}
	older      = map[string]float64{"45-54": 3, "55-64": 4, "65+": 3, "": 1}
	anyAge     = map[string]float64{"18-24": 1, "25-34": 2, "35-44": 2, "45-54": 2, "55-64": 1, "65+": 1, "": 1}
)

// PhoneSegments are five customer segments with tastes for the default
// phone model (models/phone.tailor): what a maker would find in its market.
// Part-worths are on the logit scale; price sensitivity is per 100 euros
// and varies by about 30% between members; Budget says at what price a
// member would as soon buy nothing as a phone of neutral taste.
var PhoneSegments = []Segment{
	{
		Name: "Photographers", Share: 2, PricePer100: -0.25, PriceSpread: 0.3, Budget: 900, Spread: 0.6, Complete: 0.85,
		Regions: everywhere, AgeBands: middle,
		Likes: map[string]map[string]float64{
			"main":      {"m1in": 2.5, "m50l": 1.5, "m50s": -1},
			"tele":      {"p5x": 2.2, "t3x": 1.2, "none": -1.5},
			"ultrawide": {"uw50": 1.5, "none": -1.5},
			"front":     {"f12af": 0.8},
			"storage":   {"512gb": 1.2, "1tb": 1.0, "128gb": -1.2},
			"size":      {"max": 1.0, "compact": -0.8},
			"panel":     {"ltpo": 0.8, "lcd": -1.5},
			"colour":    {"black": 1.0, "natural": 0.6, "white": 0.3},
			"frame":     {"titanium": 0.6},
		},
	},
	{
		Name: "Gamers", Share: 1.5, PricePer100: -0.3, PriceSpread: 0.3, Budget: 700, Spread: 0.6, Complete: 0.8,
		Regions: everywhere, AgeBands: young,
		Likes: map[string]map[string]float64{
			"chipset": {"sd8elite": 2.5, "d9300": 1.5, "sd8g3": 1.8, "helio_g99": -1.5, "t616": -2, "sd685": -2},
			"refresh": {"144hz": 2.5, "120hz": 1.2, "60hz": -2},
			"cooling": {"vc": 1.8},
			"ram":     {"16gb": 1.8, "12gb": 0.8, "6gb": -1.5},
			"battery": {"6000mah": 1.5, "5500mah": 1.0, "4000mah": -1.2},
			"wired":   {"100w": 1.5, "67w": 1.0, "18w": -1.2},
			"jack":    {"yes": 0.8},
			"colour":  {"black": 0.8, "purple": 0.8, "orange": 0.6},
			"size":    {"max": 1.2, "compact": -1.2},
			"water":   {"ip54": 0.3},
		},
	},
	{
		Name: "Compact lovers", Share: 1.2, PricePer100: -0.35, PriceSpread: 0.3, Budget: 600, Spread: 0.6, Complete: 0.8,
		Regions: everywhere, AgeBands: anyAge,
		Likes: map[string]map[string]float64{
			"size":       {"compact": 3, "max": -2},
			"wireless":   {"qi15": 0.6, "mag50": 0.8},
			"back":       {"glass": 0.6, "ceramic": 0.5},
			"colour":     {"white": 0.8, "green": 0.8, "blue": 0.6, "sand": 0.6},
			"biometrics": {"ultrasonic": 0.6, "side": 0.5},
			"water":      {"ip68": 0.8},
			"tele":       {"p5x": -0.8},
		},
	},
	{
		Name: "Value seekers", Share: 3, PricePer100: -1.6, PriceSpread: 0.3, Budget: 350, Spread: 0.5, Complete: 0.75,
		Regions: map[string]float64{"europe": 2, "latin-america": 3, "asia-pacific": 3, "middle-east-africa": 3, "north-america": 1, "": 1}, AgeBands: anyAge,
		Likes: map[string]map[string]float64{
			"battery": {"5000mah": 0.8, "5500mah": 0.6},
			"storage": {"128gb": 0.5, "256gb": 0.8},
			"jack":    {"yes": 0.8},
			"sim":     {"dual_nano": 1.0},
			"nfc":     {"yes": 0.6},
			"colour":  {"blue": 0.6, "black": 0.6, "green": 0.4},
			"panel":   {"oled": 0.5},
		},
	},
	{
		Name: "Privacy-minded professionals", Share: 1, PricePer100: -0.15, PriceSpread: 0.3, Budget: 900, Spread: 0.5, Complete: 0.9,
		Regions: map[string]float64{"europe": 4, "north-america": 2, "": 1}, AgeBands: older,
		Likes: map[string]map[string]float64{
			"services":   {"none": 2.5, "gms": -0.5},
			"frame":      {"titanium": 1.2, "steel": 0.6},
			"back":       {"ceramic": 1.0, "vegan_leather": 1.2},
			"water":      {"ip68": 1.0},
			"sim":        {"esim_only": 0.6, "nano_esim": 0.8},
			"biometrics": {"ultrasonic": 1.0},
			"colour":     {"black": 0.8, "natural": 1.0, "sand": 0.6},
			"storage":    {"512gb": 0.6},
			"wireless":   {"mag50": 0.8},
		},
	},
}
