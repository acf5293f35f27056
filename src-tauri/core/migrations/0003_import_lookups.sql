-- Finding likely duplicates when importing: the same postcode is one of the signs.
CREATE INDEX restaurants_postcode ON restaurants (postcode) WHERE postcode IS NOT NULL;
