//! corridor-clearance (docs to come)
