/*
 * up.c — compiled against one layer's include path with LAYER_HEADER naming a header of a layer
 * above it (or, for the control, of the layer itself): tests/CMakeLists.txt expects an include up a
 * layer to fail to compile, and the control to compile.
 */
#include LAYER_HEADER

int sasae_layer_probe(void);
int sasae_layer_probe(void) { return 0; }
