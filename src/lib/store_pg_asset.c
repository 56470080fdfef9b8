/* store_pg_asset.c — PostgreSQL's operations of this domain (store_ops_asset.h): not yet written. */
#include "store_backend.h"
#include "store_ops_asset.h"
#include "store_pg.h"

const struct store_asset_ops store_pg_asset_ops = { 0 };
