//===- ImporterHelpers.cpp - Helpers the op importers share ---------------===//
//
// This file is part of modelc. See LICENSE for license information.
//
//===----------------------------------------------------------------------===//

#include "ImporterHelpers.h"

#include "dialects/Graph/IR/ConstantData.h"
#include "dialects/Graph/IR/GraphOps.h"

#include <tuple>

using namespace mlir;
namespace graph = mlir::modelc::graph;

namespace modelc::onnx_frontend {
namespace {

/// `[3, 3]`, for messages.
std::string formatList(ArrayRef<int64_t> values) {
  std::string text = "[";
  for (auto [i, v] : llvm::enumerate(values))
    text += (i ? ", " : "") + std::to_string(v);
  return text + "]";
}

} // namespace

llvm::Expected<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                      int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return ctx.error("axis " + llvm::Twine(axis) + " is out of range for rank " +
                     llvm::Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

Value reshapeTo(NodeContext &ctx, Value value, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(value.getType()).getElementType());
  return ctx.create<graph::ReshapeOp>(type, value);
}

Value scalarConstant(NodeContext &ctx, Type elementType, double value) {
  return floatConstant(ctx, elementType, {}, {value});
}

Value intConstant(NodeContext &ctx, ArrayRef<int64_t> shape,
                  ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, ctx.builder().getI64Type());
  return arith::ConstantOp::create(
      ctx.builder(), ctx.loc(), type,
      cast<TypedAttr>(graph::makeConstantFromInts(type, values)));
}

Value floatConstant(NodeContext &ctx, Type elementType, ArrayRef<int64_t> shape,
                    ArrayRef<double> values) {
  auto type = RankedTensorType::get(shape, elementType);
  std::vector<double> filled;
  if (values.size() == 1 && type.getNumElements() != 1) {
    filled.assign(type.getNumElements(), values.front());
    values = filled;
  }
  return arith::ConstantOp::create(
      ctx.builder(), ctx.loc(), type,
      cast<TypedAttr>(graph::makeConstantFromDoubles(type, values)));
}

std::optional<SmallVector<int64_t>> readWindowInts(NodeContext &ctx,
                                                   llvm::StringRef name,
                                                   bool lifted) {
  std::optional<std::vector<int64_t>> values = ctx.intsAttr(name);
  if (!values)
    return std::nullopt;
  if (!lifted)
    return SmallVector<int64_t>(values->begin(), values->end());
  if (name == "pads")
    return values->size() == 2
               ? SmallVector<int64_t>{0, (*values)[0], 0, (*values)[1]}
               : SmallVector<int64_t>{};
  return values->size() == 1 ? SmallVector<int64_t>{1, (*values)[0]}
                             : SmallVector<int64_t>{};
}

/// A window attribute as readWindowInts gives it, or `count` copies of
/// `fallback` when the node does not set it.
static SmallVector<int64_t> readWindowIntsOr(NodeContext &ctx,
                                             llvm::StringRef name, bool lifted,
                                             size_t count, int64_t fallback) {
  return readWindowInts(ctx, name, lifted)
      .value_or(SmallVector<int64_t>(count, fallback));
}

llvm::Expected<Window> readWindow(NodeContext &ctx, ArrayRef<int64_t> inShape,
                                  ArrayRef<int64_t> kernel, bool lifted) {
  size_t spatial = kernel.size();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = readWindowIntsOr(ctx, "strides", lifted, spatial, 1);
  w.dilations = readWindowIntsOr(ctx, "dilations", lifted, spatial, 1);
  w.pads = readWindowIntsOr(ctx, "pads", lifted, 2 * spatial, 0);
  if (w.strides.size() != spatial || w.dilations.size() != spatial ||
      w.pads.size() != 2 * spatial)
    return ctx.error("expected " + llvm::Twine(lifted ? 1 : spatial) +
                     "-D strides, dilations and pads");
  // What the graph ops' type inference requires (and auto_pad divides by):
  // a node breaking it must be an error here, as building the op would abort.
  for (size_t d = 0; d < spatial; ++d) {
    if (w.kernel[d] < 1 || w.strides[d] < 1 || w.dilations[d] < 1)
      return ctx.error("kernel, strides and dilations must be positive");
    if (w.pads[d] < 0 || w.pads[d + spatial] < 0)
      return ctx.error("pads must not be negative");
  }
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t d = 0; d < spatial; ++d) {
      int64_t out = (inShape[2 + d] + w.strides[d] - 1) / w.strides[d];
      int64_t span = (kernel[d] - 1) * w.dilations[d] + 1;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[d] + span - inShape[2 + d]);
      int64_t small = total / 2, large = total - small;
      w.pads[d] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[d + spatial] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    return ctx.error("unknown auto_pad '" + autoPad + "'");
  }
  for (size_t d = 0; d < spatial; ++d) {
    int64_t span = (w.kernel[d] - 1) * w.dilations[d] + 1;
    int64_t padded = inShape[2 + d] + w.pads[d] + w.pads[d + spatial];
    if (padded < span)
      return ctx.error("the output would be empty: the dilated kernel spans " +
                       llvm::Twine(span) + ", the padded input " +
                       llvm::Twine(padded));
  }
  return w;
}

llvm::Expected<TransposedWindow> readTransposedWindow(NodeContext &ctx,
                                                      ArrayRef<int64_t> in,
                                                      ArrayRef<int64_t> w,
                                                      bool lifted) {
  size_t spatial = in.size() - 2;
  TransposedWindow win;
  win.strides = readWindowIntsOr(ctx, "strides", lifted, spatial, 1);
  win.dilations = readWindowIntsOr(ctx, "dilations", lifted, spatial, 1);
  win.pads = readWindowIntsOr(ctx, "pads", lifted, 2 * spatial, 0);
  win.outputPadding =
      readWindowIntsOr(ctx, "output_padding", lifted, spatial, 0);
  if (lifted && ctx.intsAttr("output_padding"))
    win.outputPadding = {0, ctx.intsAttr("output_padding")->front()};
  // output_shape may give only the spatial sizes or the whole shape.
  std::optional<SmallVector<int64_t>> outputShape;
  if (std::optional<std::vector<int64_t>> given = ctx.intsAttr("output_shape"))
    outputShape = lifted && !given->empty()
                      ? SmallVector<int64_t>{1, given->back()}
                      : SmallVector<int64_t>(given->begin(), given->end());
  if (win.strides.size() != spatial || win.dilations.size() != spatial ||
      win.pads.size() != 2 * spatial || win.outputPadding.size() != spatial ||
      (outputShape && outputShape->size() < spatial))
    return ctx.error("expected " + llvm::Twine(lifted ? 1 : spatial) +
                     "-D strides, dilations, pads, output_padding and "
                     "output_shape");
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  for (size_t d = 0; d < spatial; ++d) {
    if (win.strides[d] < 1 || win.dilations[d] < 1 || w[2 + d] < 1)
      return ctx.error("kernel, strides and dilations must be positive");
    if (win.pads[d] < 0 || win.pads[d + spatial] < 0 ||
        win.outputPadding[d] < 0)
      return ctx.error("pads and output_padding must not be negative");
    int64_t &begin = win.pads[d], &end = win.pads[d + spatial];
    int64_t span = (w[2 + d] - 1) * win.dilations[d] + 1;
    int64_t full =
        win.strides[d] * (in[2 + d] - 1) + win.outputPadding[d] + span;
    if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t target = outputShape
                           ? (*outputShape)[outputShape->size() - spatial + d]
                           : in[2 + d] * win.strides[d];
      int64_t total = full - target;
      bool upper = autoPad == "SAME_UPPER";
      begin = upper ? total / 2 : total - total / 2;
      end = upper ? total - total / 2 : total / 2;
      // A requested output larger than the kernel reaches grows at the end,
      // as extra output padding does.
      if (total < 0) {
        begin = 0;
        end = total;
      }
    } else if (autoPad == "VALID") {
      begin = end = 0;
    }
    win.outSizes.push_back(full - begin - end);
    if (win.outSizes.back() <= 0)
      return ctx.error("the output would be empty");
  }
  return win;
}

llvm::Error checkConvAttributes(NodeContext &ctx, ArrayRef<int64_t> in,
                                ArrayRef<int64_t> w, int biasInput,
                                bool transposed) {
  if (w.size() != in.size())
    return ctx.error("the weight has rank " + llvm::Twine(w.size()) +
                     ", the input rank " + llvm::Twine(in.size()));
  size_t spatial = in.size() - 2;
  ArrayRef<int64_t> kernel = w.drop_front(2);
  if (std::optional<std::vector<int64_t>> attr = ctx.intsAttr("kernel_shape"))
    if (ArrayRef<int64_t>(*attr) != kernel)
      return ctx.error("kernel_shape " + formatList(*attr) +
                       " contradicts the weight's spatial dims " +
                       formatList(kernel));
  auto checkLength = [&](llvm::StringRef name, size_t want,
                         size_t alsoFine) -> llvm::Error {
    std::optional<std::vector<int64_t>> attr = ctx.intsAttr(name);
    if (!attr || attr->size() == want || attr->size() == alsoFine)
      return llvm::Error::success();
    return ctx.error(name + " has " + llvm::Twine(attr->size()) + " value" +
                     (attr->size() == 1 ? "" : "s") + ", expected " +
                     llvm::Twine(want));
  };
  for (auto [name, want, alsoFine] :
       {std::tuple("strides", spatial, spatial),
        std::tuple("dilations", spatial, spatial),
        std::tuple("output_padding", spatial, spatial),
        std::tuple("pads", 2 * spatial, 2 * spatial),
        // Some exporters write the whole output shape.
        std::tuple("output_shape", spatial, in.size())})
    if (llvm::Error err = checkLength(name, want, alsoFine))
      return err;
  int64_t group = ctx.intAttr("group", 1);
  int64_t channels = in[1];
  if (group < 1 || channels % group)
    return ctx.error("group " + llvm::Twine(group) +
                     " does not divide the input's " + llvm::Twine(channels) +
                     " channels");
  int64_t outChannels;
  if (transposed) {
    if (w[0] != channels)
      return ctx.error("the weight's dim 0 is " + llvm::Twine(w[0]) +
                       ", the input has " + llvm::Twine(channels) +
                       " channels");
    outChannels = w[1] * group;
  } else {
    if (w[1] * group != channels)
      return ctx.error("the weight's dim 1 is " + llvm::Twine(w[1]) +
                       ", expected " + llvm::Twine(channels / group) +
                       " (the input's " + llvm::Twine(channels) +
                       " channels / group " + llvm::Twine(group) + ")");
    if (w[0] % group)
      return ctx.error("group " + llvm::Twine(group) +
                       " does not divide the weight's " + llvm::Twine(w[0]) +
                       " output channels");
    outChannels = w[0];
  }
  if (biasInput >= 0 && ctx.input(biasInput)) {
    ArrayRef<int64_t> bias = ctx.inputType(biasInput).getShape();
    if (bias.size() != 1 || bias[0] != outChannels)
      return ctx.error("the bias has shape " + formatList(bias) +
                       ", expected [" + llvm::Twine(outChannels) +
                       "], one value per output channel");
  }
  return llvm::Error::success();
}

} // namespace modelc::onnx_frontend
