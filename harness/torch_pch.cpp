// Anchors the shared precompiled header (harness/torch_pch.hpp); holds no code.
