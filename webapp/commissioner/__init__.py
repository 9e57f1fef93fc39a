"""The service commissioner's pages (人社服务专员): home, validity call-back tasks and rates."""
