// The generator's model of a shop: catalog, customers' countries and currencies, sales
// channels, payment methods and the calendar. Internal to src/generator (generator.cpp and
// its tests); the distributions are documented in docs/generator.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace salesflow::generator {

struct WeightedName {
  std::string_view name;
  uint32_t weight;
};

struct CountryInfo {
  std::string_view code;      // ISO 3166-1 alpha-2
  std::string_view region;    // sales region
  std::string_view currency;  // home currency
  uint32_t weight;            // share of customers
};

struct CurrencyInfo {
  std::string_view code;
  int64_t per_mille_of_usd;  // price level: local price = USD price x this / 1000
  int decimals;              // 0 for JPY, KRW: prices are whole units
};

std::span<const CountryInfo> Countries();
std::span<const WeightedName> Channels();
std::span<const WeightedName> PaymentMethods();
// Unknown codes (a valid-looking code the table lacks) price like USD with two decimals.
CurrencyInfo LookupCurrency(std::string_view code);

// Product names that are valid but hostile to naive pipelines: CSV and JSON metacharacters,
// embedded newlines, tabs, backslashes (and MySQL's \N), SQL, formula injection, 4-byte
// UTF-8. Every one must survive reader -> warehouse -> API unchanged.
std::span<const std::string_view> HostileProductNames();

struct Product {
  std::string sku;
  std::string name;       // raw text
  std::string category;   // raw text
  int64_t usd_price = 0;  // scaled by 10^4
  bool bulk = false;      // sold by the hundred: sub-cent prices, large quantities
};

// A deterministic catalog of `size` products for `seed`; about 1 in 40 has a hostile name.
std::vector<Product> MakeCatalog(uint64_t seed, size_t size);

// Price of a product in `currency`, scaled by 10^4: converted with integer arithmetic and
// rounded to a shop-like price point (x.99, whole tens of yen), never via floating point.
int64_t LocalPrice(const Product& product, const CurrencyInfo& currency);

// Relative order volume of a day (weekday x month x shopping events such as Black Friday),
// about 100^3 for an ordinary day. Noise is added by the caller.
int64_t DayWeight(int32_t day);

// Relative order volume by hour of day (24 entries), peaking in the evening.
std::span<const uint32_t> HourWeights();

}  // namespace salesflow::generator
