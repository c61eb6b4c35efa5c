// Prints SchemaSql(): the source of mysql/init/init.sql (same as `salesflow migrate --print-sql`).
#include "warehouse/migrations.h"

int main() { return salesflow::warehouse::RunMigrateCommand({}, /*print_sql=*/true); }
