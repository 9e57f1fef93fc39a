"""Zero-employment households (零就业家庭): households where no working-age member works, the
referrals offered to their members, and their clearing once one member is placed."""
