#include "reader/header_mapping.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace salesflow::reader {
namespace {

int FieldOf(const HeaderMap& m, Column c) { return m.field_of[static_cast<size_t>(c)]; }

TEST(HeaderMappingTest, NormalisesCaseSpacesUnderscoresDashes) {
  EXPECT_EQ(NormalizeHeaderName("Unit Price"), "unitprice");
  EXPECT_EQ(NormalizeHeaderName("unit_price"), "unitprice");
  EXPECT_EQ(NormalizeHeaderName("UNIT-PRICE"), "unitprice");
  EXPECT_EQ(NormalizeHeaderName(" Order  ID "), "orderid");
}

TEST(HeaderMappingTest, CanonicalNamesInAnySpelling) {
  Result<HeaderMap> m = ResolveHeader(
      {"Order ID", "ORDER_DATE", "Sku", "quantity", "Unit-Price", "extra", "Payment Method"}, {});
  ASSERT_OK(m.status());
  EXPECT_EQ(FieldOf(*m, Column::kOrderId), 0);
  EXPECT_EQ(FieldOf(*m, Column::kOrderDate), 1);
  EXPECT_EQ(FieldOf(*m, Column::kSku), 2);
  EXPECT_EQ(FieldOf(*m, Column::kQuantity), 3);
  EXPECT_EQ(FieldOf(*m, Column::kUnitPrice), 4);
  EXPECT_EQ(FieldOf(*m, Column::kPaymentMethod), 6);
  EXPECT_EQ(FieldOf(*m, Column::kCategory), kUnmapped);
}

struct SynonymCase {
  const char* name;
  std::vector<std::string> headers;
  std::vector<std::pair<Column, int>> expected;
};

TEST(HeaderMappingTest, ShopExportSynonyms) {
  const std::vector<SynonymCase> cases = {
      {"shopify",
       {"Name", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price",
        "Lineitem sku", "Shipping Country", "Discount Amount"},
       {{Column::kOrderId, 0},
        {Column::kOrderDate, 1},
        {Column::kQuantity, 2},
        {Column::kProductName, 3},
        {Column::kUnitPrice, 4},
        {Column::kSku, 5},
        {Column::kCountry, 6},
        {Column::kDiscount, kUnmapped}}},
      {"retail",
       {"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
        "CustomerID", "Country"},
       {{Column::kOrderId, 0},
        {Column::kSku, 1},
        {Column::kProductName, 2},
        {Column::kQuantity, 3},
        {Column::kOrderDate, 4},
        {Column::kUnitPrice, 5},
        {Column::kCustomerId, 6},
        {Column::kCountry, 7}}},
      {"retail_short",
       {"Invoice", "StockCode", "Qty", "Price", "InvoiceDate"},
       {{Column::kOrderId, 0}, {Column::kQuantity, 2}, {Column::kUnitPrice, 3}}},
      {"woocommerce",
       {"Order Number", "Order Date", "SKU", "Item Name", "Quantity", "Item Cost", "Order Currency",
        "Customer User ID", "Billing Country", "Payment Method Title"},
       {{Column::kOrderId, 0},
        {Column::kProductName, 3},
        {Column::kUnitPrice, 5},
        {Column::kCurrency, 6},
        {Column::kCustomerId, 7},
        {Column::kCountry, 8},
        {Column::kPaymentMethod, 9}}},
      {"magento",
       {"increment_id", "created_at", "sku", "name", "qty_ordered", "price"},
       {{Column::kOrderId, 0},
        {Column::kOrderDate, 1},
        {Column::kProductName, 3},
        {Column::kQuantity, 4},
        {Column::kUnitPrice, 5}}},
      {"amazon",
       {"amazon-order-id", "purchase-date", "sku", "quantity-purchased", "item-price", "unit_price",
        "ship-country", "sales-channel"},
       {{Column::kOrderId, 0},
        {Column::kOrderDate, 1},
        {Column::kQuantity, 3},
        {Column::kUnitPrice, 5},
        {Column::kCountry, 6},
        {Column::kChannel, 7}}},
  };
  for (const SynonymCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<HeaderMap> m = ResolveHeader(c.headers, {});
    ASSERT_OK(m.status());
    for (const auto& [column, field] : c.expected) {
      EXPECT_EQ(FieldOf(*m, column), field) << ColumnName(column);
    }
  }
}

TEST(HeaderMappingTest, NameIsAProductNameOutsideShopify) {
  Result<HeaderMap> m =
      ResolveHeader({"order_id", "order_date", "sku", "quantity", "unit_price", "Name"}, {});
  ASSERT_OK(m.status());
  EXPECT_EQ(FieldOf(*m, Column::kOrderId), 0);
  EXPECT_EQ(FieldOf(*m, Column::kProductName), 5);
}

TEST(HeaderMappingTest, ExplicitMappingWins) {
  Result<HeaderMap> m =
      ResolveHeader({"order_id", "Invoice", "order_date", "sku", "quantity", "unit_price"},
                    {{"order_id", "Invoice"}});
  ASSERT_OK(m.status());
  EXPECT_EQ(FieldOf(*m, Column::kOrderId), 1);
  // Normalised match when the exact text differs.
  m = ResolveHeader({"INVOICE NO", "order_date", "sku", "quantity", "unit_price"},
                    {{"order_id", "invoice_no"}});
  ASSERT_OK(m.status());
  EXPECT_EQ(FieldOf(*m, Column::kOrderId), 0);
}

TEST(HeaderMappingTest, MissingColumnMessageListsRequiredFoundAndClosest) {
  Result<HeaderMap> m =
      ResolveHeader({"order_id", "order_date", "sku", "quantity", "Unit Prise"}, {});
  ASSERT_EQ(m.status().code(), StatusCode::kFailedPrecondition);
  const std::string msg = m.status().message();
  EXPECT_NE(msg.find("missing required column unit_price (closest header: \"Unit Prise\")"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("required: order_id, order_date, sku, quantity, unit_price"),
            std::string::npos);
  EXPECT_NE(msg.find("found: \"order_id\", \"order_date\", \"sku\", \"quantity\", \"Unit Prise\""),
            std::string::npos);
  EXPECT_NE(msg.find("\"mapping\""), std::string::npos);
}

TEST(HeaderMappingTest, EveryMissingColumnIsNamed) {
  Result<HeaderMap> m = ResolveHeader({"foo", "bar"}, {});
  ASSERT_EQ(m.status().code(), StatusCode::kFailedPrecondition);
  for (const char* c : {"order_id", "order_date", "sku", "quantity", "unit_price"}) {
    EXPECT_NE(m.status().message().find(std::string("missing required column ") + c),
              std::string::npos);
  }
}

TEST(HeaderMappingTest, MappingErrors) {
  Result<HeaderMap> m = ResolveHeader({"a"}, {{"order_id", "Invoice"}});
  EXPECT_EQ(m.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(m.status().message().find("\"Invoice\": no such header"), std::string::npos);
  m = ResolveHeader({"a"}, {{"orderid", "a"}});
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
}

TEST(HeaderMappingTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("unitprice", "unitprise"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
}

}  // namespace
}  // namespace salesflow::reader
