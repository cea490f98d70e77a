# -*- Python -*-
# lit configuration for modelc's regression tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "modelc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtext", ".test"]
config.excludes = ["Unit", "conformance", "models", "Runtime", "Tools",
                   "lit.cfg.py", "CMakeLists.txt", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.modelc_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.modelc_tools_dir, append_path=True)
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
llvm_config.add_tool_substitutions(
    ["modelc", "modelc-opt", "modelc-translate"], [config.modelc_tools_dir])
