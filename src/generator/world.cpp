#include "generator/world.h"

#include <array>

#include "core/date.h"
#include "generator/prng.h"

namespace salesflow::generator {
namespace {

constexpr CountryInfo kCountries[] = {
    {"US", "North America", "USD", 30},
    {"CA", "North America", "CAD", 5},
    {"MX", "Latin America", "MXN", 3},
    {"BR", "Latin America", "BRL", 3},
    {"AR", "Latin America", "ARS", 1},
    {"GB", "Europe", "GBP", 10},
    {"IE", "Europe", "EUR", 1},
    {"DE", "Europe", "EUR", 10},
    {"FR", "Europe", "EUR", 8},
    {"ES", "Europe", "EUR", 4},
    {"IT", "Europe", "EUR", 4},
    {"NL", "Europe", "EUR", 3},
    {"BE", "Europe", "EUR", 2},
    {"AT", "Europe", "EUR", 2},
    {"SE", "Europe", "SEK", 2},
    {"DK", "Europe", "DKK", 1},
    {"NO", "Europe", "NOK", 1},
    {"PL", "Europe", "PLN", 2},
    {"CH", "Europe", "CHF", 2},
    {"JP", "Asia Pacific", "JPY", 6},
    {"AU", "Asia Pacific", "AUD", 4},
    {"NZ", "Asia Pacific", "NZD", 1},
    {"IN", "Asia Pacific", "INR", 2},
    {"SG", "Asia Pacific", "SGD", 2},
    {"KR", "Asia Pacific", "KRW", 2},
    {"AE", "Middle East & Africa", "AED", 1},
    {"ZA", "Middle East & Africa", "ZAR", 1},
};

constexpr CurrencyInfo kCurrencies[] = {
    {"USD", 1000, 2},  {"EUR", 920, 2},     {"GBP", 790, 2},    {"CAD", 1360, 2},
    {"AUD", 1520, 2},  {"NZD", 1660, 2},    {"JPY", 150000, 0}, {"CHF", 880, 2},
    {"SEK", 10500, 2}, {"DKK", 6900, 2},    {"NOK", 10700, 2},  {"PLN", 4000, 2},
    {"MXN", 17000, 2}, {"BRL", 5000, 2},    {"ARS", 900000, 2}, {"INR", 83000, 2},
    {"SGD", 1340, 2},  {"KRW", 1330000, 0}, {"AED", 3670, 2},   {"ZAR", 18500, 2},
};

constexpr WeightedName kChannels[] = {
    {"web", 50}, {"mobile_app", 30}, {"marketplace", 12}, {"store", 5}, {"phone", 3}};

constexpr WeightedName kPaymentMethods[] = {
    {"card", 55},         {"paypal", 18},   {"apple_pay", 10}, {"google_pay", 6},
    {"bank_transfer", 4}, {"gift_card", 3}, {"klarna", 2},     {"cash_on_delivery", 2}};

constexpr std::string_view kHostileNames[] = {
    "Sofa \"Comfort\", 3-seat",
    "Greeting card\nHappy Birthday!",
    "Wall calendar\r\n2027 edition",
    "'); DROP TABLE sales; --",
    "Robert'); DROP TABLE students;--",
    "C:\\Temp\\backslash\\path \\N",
    "Tab\tseparated\tname",
    "=HYPERLINK(\"http://example.com\",\"click\")",
    "+1 Gadget; -2 Widget @home",
    "Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9\x65 torch \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xA3\xBD "
    "\xF0\x9F\x94\xA5",
    "NULL",
    "Quote at end\"",
    "\"Fully quoted\"",
    "Sm\xC3\xB8rrebr\xC3\xB8\x64 set, 12\" \xE2\x80\x93 "
    "\xD0\xBF\xD0\xBE\xD1\x81\xD1\x83\xD0\xB4\xD0\xB0",
    "Music box \xF0\x9D\x84\x9E \xE2\x9C\x93 <script>alert(1)</script>",
};

struct CategoryInfo {
  std::string_view name;
  std::string_view sku_prefix;
  int64_t min_usd_cents;
  int64_t max_usd_cents;
  bool has_bulk;  // sells parts by the hundred at sub-cent prices
  std::array<std::string_view, 6> nouns;
};

constexpr CategoryInfo kCategories[] = {
    {"Electronics",
     "ELE",
     999,
     149999,
     false,
     {"Wireless Earbuds", "USB-C Charger", "Bluetooth Speaker", "4K Monitor", "Smartwatch",
      "Mechanical Keyboard"}},
    {"Home & Kitchen",
     "HOM",
     499,
     39999,
     false,
     {"Chef's Knife", "Coffee Grinder", "Dutch Oven", "Blender", "Cutting Board", "Kettle"}},
    {"Books",
     "BOK",
     399,
     8999,
     false,
     {"Cookbook", "Mystery Novel", "Field Guide", "Atlas", "Poetry Collection", "Travel Journal"}},
    {"Clothing",
     "CLO",
     799,
     24999,
     false,
     {"Hoodie", "Rain Jacket", "Wool Socks", "Denim Jeans", "T-Shirt", "Sneakers"}},
    {"Toys, Kids & Baby",
     "TOY",
     499,
     19999,
     false,
     {"Building Blocks", "Plush Bear", "Puzzle", "Board Game", "Stroller", "Kite"}},
    {"Beauty",
     "BEA",
     299,
     12999,
     false,
     {"Face Serum", "Lip Balm", "Shampoo", "Perfume", "Hair Dryer", "Sunscreen"}},
    {"Sports & Outdoors",
     "SPO",
     999,
     59999,
     false,
     {"Yoga Mat", "Tent", "Water Bottle", "Running Shoes", "Dumbbell Set", "Backpack"}},
    {"Garden",
     "GAR",
     299,
     29999,
     false,
     {"Seed Kit", "Pruning Shears", "Hose Reel", "Planter", "Bird Feeder", "Lawn Sprinkler"}},
    {"\xC3\x89picerie fine",
     "EPI",
     199,
     4999,
     true,
     {"Olive Oil", "Espresso Beans", "Dark Chocolate", "Sea Salt", "Green Tea", "Maple Syrup"}},
    {"Office Supplies",
     "OFF",
     99,
     29999,
     true,
     {"Paper Clips", "Notebook", "Desk Lamp", "Stapler", "Gel Pens", "Office Chair"}},
    {"Tools & Hardware",
     "TLS",
     199,
     49999,
     true,
     {"Wood Screws", "Cordless Drill", "Tape Measure", "Socket Set", "Hex Nuts", "Work Gloves"}},
    {"Pet Supplies",
     "PET",
     299,
     14999,
     false,
     {"Dog Leash", "Cat Tree", "Pet Bed", "Chew Toy", "Aquarium Filter", "Bird Cage"}},
};

constexpr std::string_view kBrands[] = {"Northwind", "Acme",   "Contoso", "Globex",
                                        "Initech",   "Umbra",  "Vireo",   "Lumen",
                                        "Fjord",     "Sakura", "Atlas",   "Kestrel"};
constexpr std::string_view kAdjectives[] = {"Classic", "Pro",  "Eco",   "Compact", "Deluxe",
                                            "Ultra",   "Mini", "Smart", "Vintage", "Essential"};
// Variants carry the commas and inch quotes that real product titles have.
constexpr std::string_view kVariants[] = {
    "", "", "", ", Black", ", White", ", Large", " 2-Pack", " 15\"", ", Size M", " (Refurbished)"};

// Weekday Mon..Sun and month Jan..Dec volume, in percent.
constexpr int64_t kWeekdayPercent[] = {100, 96, 97, 101, 108, 112, 106};
constexpr int64_t kMonthPercent[] = {82, 85, 92, 95, 97, 96, 94, 96, 98, 103, 122, 138};

constexpr uint32_t kHourWeights[] = {10, 6,  4,  3,  3,  5,  10, 20, 32, 40, 45, 50,
                                     55, 52, 48, 47, 50, 56, 64, 74, 80, 72, 50, 25};

template <typename T, size_t N>
const T& Pick(Prng& prng, const T (&table)[N]) {
  return table[prng.Below(N)];
}

// Shop-like price point in whole cents from a raw amount of cents.
int64_t CharmCents(int64_t cents, Prng& prng) {
  const int64_t units = cents < 100 ? 1 : cents / 100;
  switch (prng.Below(7)) {
    case 0:
      return units * 100;  // 12.00
    case 1:
      return units * 100 + 49;  // 12.49
    case 2:
      return units * 100 + 95;  // 12.95
    default:
      return units * 100 + 99;  // 12.99
  }
}

}  // namespace

std::span<const CountryInfo> Countries() { return kCountries; }
std::span<const WeightedName> Channels() { return kChannels; }
std::span<const WeightedName> PaymentMethods() { return kPaymentMethods; }
std::span<const std::string_view> HostileProductNames() { return kHostileNames; }
std::span<const uint32_t> HourWeights() { return kHourWeights; }

CurrencyInfo LookupCurrency(std::string_view code) {
  for (const CurrencyInfo& info : kCurrencies) {
    if (info.code == code) return info;
  }
  return {code, 1000, 2};
}

std::vector<Product> MakeCatalog(uint64_t seed, size_t size) {
  Prng prng(Mix(seed, 0xCA7A106ULL));
  std::vector<Product> catalog;
  catalog.reserve(size);
  constexpr size_t kSkuNumbers = 90'000;  // SKU numbers 10000..99999
  const uint64_t offset = prng.Below(kSkuNumbers);
  for (size_t i = 0; i < size; ++i) {
    const CategoryInfo& category = Pick(prng, kCategories);
    Product product;
    // 7919 is prime and coprime to 90000: a bijection, so SKUs never collide.
    const uint64_t number = 10'000 + (i * 7919 + offset) % kSkuNumbers;
    product.sku = std::string(category.sku_prefix) + "-" + std::to_string(number);
    product.category = std::string(category.name);
    if (prng.Below(40) == 0) {
      product.name = std::string(Pick(prng, kHostileNames));
    } else {
      product.name = std::string(Pick(prng, kBrands)) + " " + std::string(Pick(prng, kAdjectives)) +
                     " " + std::string(category.nouns[prng.Below(category.nouns.size())]) +
                     std::string(Pick(prng, kVariants));
    }
    product.bulk = category.has_bulk && prng.Below(8) == 0;
    if (product.bulk) {
      // 0.0100 .. 0.9999 per piece: prices with four decimals exercise per-line rounding.
      product.usd_price = prng.Between(100, 9999);
    } else {
      // Skewed towards the category's low bound: many cheap items, few expensive ones.
      // Only + and x on doubles (exactly rounded everywhere), no libm: the catalog must be
      // the same on every platform.
      const double u = prng.Uniform01();
      const auto span = static_cast<double>(category.max_usd_cents - category.min_usd_cents);
      const auto cents = category.min_usd_cents + static_cast<int64_t>(span * u * u * u);
      product.usd_price = CharmCents(cents, prng) * 100;
    }
    catalog.push_back(std::move(product));
  }
  return catalog;
}

int64_t LocalPrice(const Product& product, const CurrencyInfo& currency) {
  __extension__ typedef __int128 Wide;
  const Wide converted = static_cast<Wide>(product.usd_price) * currency.per_mille_of_usd / 1000;
  if (product.bulk && currency.decimals == 2) {
    return static_cast<int64_t>(converted < 1 ? 1 : converted);  // keep four decimals
  }
  if (currency.decimals == 0) {
    // Whole tens of yen/won: 2990, 14980.
    constexpr Wide kTen = 10 * 10'000;
    const Wide tens = (converted + kTen / 2) / kTen;
    return static_cast<int64_t>((tens < 1 ? 1 : tens) * kTen);
  }
  if (currency.per_mille_of_usd == 1000) return product.usd_price;
  // Other two-decimal currencies: the converted amount's whole units, ending in .99.
  constexpr Wide kUnit = 10'000;
  const Wide units = converted / kUnit;
  return static_cast<int64_t>(units < 1 ? 99 * 100 : units * kUnit + 99 * 100);
}

int64_t DayWeight(int32_t day) {
  const core::CivilDate date = core::CivilFromDays(day);
  const int32_t weekday = core::Weekday(day);
  int64_t event_percent = 100;
  if (date.month == 11 && weekday == 4 && date.day >= 23 && date.day <= 29) {
    event_percent = 250;  // Black Friday: the day after the fourth Thursday
  } else if ((date.month == 11 && weekday == 0 && date.day >= 26) ||
             (date.month == 12 && weekday == 0 && date.day <= 2)) {
    event_percent = 200;  // Cyber Monday
  } else if (date.month == 12 && date.day >= 24 && date.day <= 26) {
    event_percent = date.day == 25 ? 50 : 75;
  } else if (date.month == 1 && date.day == 1) {
    event_percent = 60;
  }
  return kWeekdayPercent[weekday] * kMonthPercent[date.month - 1] * event_percent;
}

}  // namespace salesflow::generator
