using Tcd.Models.Interop;
using Tcd.Models.Losses;
using Tcd.Models.Modeling;
using Tcd.Models.Tests.Interop;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Losses;

/// <summary>
/// The relation losses of a whole model pair against <c>tools/reference_bert.py</c>: the plain-Python reference taps its
/// MoE student and vanilla teacher itself (each layer's two LayerNorm outputs, every sublayer output before the residual add,
/// queries and keys) and computes <c>L_T</c>, <c>L_I</c>, <c>L_A</c> and the student's <c>L_B</c> from the formulas, so
/// this checks where the taps sit as well as the loss arithmetic.
/// </summary>
public sealed class ReferenceRelationLossTests
{
    private const float Tolerance = 1e-5f;

    [Fact]
    public void Relation_and_load_balance_losses_reproduce_the_plain_python_reference()
    {
        using var student = HuggingFaceCheckpoint.LoadMaskedLm(FixtureFactAttribute.Folder("reference-moe-mlm"));
        using var teacher = HuggingFaceCheckpoint.LoadMaskedLm(FixtureFactAttribute.Folder("reference-bert-mlm"));
        student.eval();
        teacher.eval();
        var folder = FixtureFactAttribute.Folder("reference-tcd");
        var inputs = SafeTensorsFile.Read(Path.Combine(folder, "inputs.safetensors"));
        var expected = SafeTensorsFile.Read(Path.Combine(folder, "expected.safetensors"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (ids, types, mask) = (inputs["input_ids"], inputs["token_type_ids"], inputs["attention_mask"]);
        var studentTaps = student.forward(ids, types, mask, EncoderTaps.All, null).Encoder;
        var teacherTaps = teacher.forward(ids, types, mask, EncoderTaps.All, null).Encoder;
        var mapping = LayerMapping.Identity(student.Config.NumLayers);
        var sample = inputs["relation_sample"];

        var trunk = RelationAlignmentLoss.Compute(studentTaps.Trunk, teacherTaps.Trunk, sample, mapping);
        var inner = RelationAlignmentLoss.Compute(studentTaps.Inner, teacherTaps.Inner, sample, mapping);
        var attention = AttentionRelationLoss.Compute(studentTaps.Queries, studentTaps.Keys, teacherTaps.Queries, teacherTaps.Keys, mask, mapping);

        var terms = studentTaps.Trunk.Zip(teacherTaps.Trunk, (s, t) => RelationAlignmentLoss.ForPosition(s, t, sample).item<float>());
        terms.Should().Equal(Values(expected["trunk_terms"]), (actual, reference) => Math.Abs(actual - reference) <= Tolerance, "each trunk position's L*");
        trunk.item<float>().Should().BeApproximately(expected["trunk"].item<float>(), Tolerance, "L_T");
        inner.item<float>().Should().BeApproximately(expected["inner"].item<float>(), Tolerance, "L_I");
        attention.item<float>().Should().BeApproximately(expected["attention"].item<float>(), Tolerance, "L_A");
        studentTaps.LoadBalanceLoss!.item<float>().Should().BeApproximately(expected["load_balance"].item<float>(), Tolerance, "L_B of the student's routers");
        expected["trunk"].item<float>().Should().BeGreaterThan(0.05f, "a loss near zero would not show a misplaced tap");
    }

    private static float[] Values(Tensor tensor) => tensor.data<float>().ToArray();
}
