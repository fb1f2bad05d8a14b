using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Interop;

/// <summary>Logits of imported checkpoints against those Python <c>transformers</c> computed (see Fixtures/README.md).</summary>
public sealed class HuggingFaceParityTests
{
    private const double Tolerance = 1e-4;

    [FixtureFact("hf-tiny-bert")]
    public void Safetensors_checkpoint_reproduces_transformers_logits() => AssertParity("hf-tiny-bert");

    [FixtureFact("hf-tiny-bert-bin")]
    public void Pytorch_bin_checkpoint_reproduces_transformers_logits() => AssertParity("hf-tiny-bert-bin");

    private static void AssertParity(string fixture)
    {
        var folder = FixtureFactAttribute.Folder(fixture);
        var imported = HuggingFaceCheckpoint.Load(folder);
        imported.Architecture.Should().Be(HuggingFaceArchitecture.BertForMaskedLM);
        using var model = imported.Model.Should().BeOfType<BertForMaskedLm>().Subject;
        model.eval();
        var inputs = SafeTensorsFile.Read(Path.Combine(folder, "inputs.safetensors"));
        var expected = SafeTensorsFile.Read(Path.Combine(folder, "expected.safetensors"))["logits"];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mask = inputs["attention_mask"];
        var logits = model.forward(inputs["input_ids"], inputs["token_type_ids"], mask, EncoderTaps.None, null).Logits;

        logits.shape.Should().Equal(expected.shape);
        // Padding positions are compared too: their queries attend to the real tokens exactly as in transformers.
        var worst = (logits - expected).abs().max().item<float>();
        worst.Should().BeLessThanOrEqualTo((float)Tolerance, $"logits must match transformers within {Tolerance} (mask has {mask.eq(0).sum().item<long>()} padding tokens)");
    }
}
