"""Labour-market statistics for the bureau: supply and demand (求人倍率), the quarterly report, outcomes,
the shortage-occupation catalogue (急需紧缺职业目录) and the open change feed."""
