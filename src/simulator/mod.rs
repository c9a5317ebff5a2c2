//! A ShipEngine simulator (to be written).
