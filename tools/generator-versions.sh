# Pinned generator versions: the one place that says which generators write
# the committed code under generated/.  Sourced by tools/generate.sh.
# These are the versions Debian 12 (bookworm) ships.
PIN_PROTOC="libprotoc 3.21.12"
PIN_PROTOC_C="protobuf-c 1.4.1"
PIN_NANOPB="0.4.7"
# The well-known Google types the schema uses, generated into our own tree.
WELL_KNOWN_PROTOS="google/protobuf/any.proto google/protobuf/duration.proto google/protobuf/struct.proto google/protobuf/timestamp.proto"
