-- Phones as trackers: an OwnTracks device (`user/device` of its MQTT topic) or an OsmAnd /
-- Traccar Client device id, mapped to the unit it stands in for.
CREATE TABLE trackers (
  kind        text NOT NULL CHECK (kind IN ('owntracks', 'osmand')),
  device_key  text NOT NULL CHECK (length(device_key) BETWEEN 1 AND 200),
  vehicle_id  text NOT NULL REFERENCES vehicles(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, device_key)
);
