"""Major projects and their labour demand (重大项目用工): pages for service commissioners and admins."""
