//! Binary encoding of every packet (being written).
