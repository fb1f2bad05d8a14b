using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Interop;

/// <summary>Compares a model's logits on a fixture folder's <c>inputs.safetensors</c> with its <c>expected.safetensors</c>.</summary>
internal static class FixtureLogits
{
    public const float Tolerance = 1e-4f;

    /// <summary>Puts <paramref name="model"/> in eval mode and asserts its logits match the fixture's within <see cref="Tolerance"/>.</summary>
    /// <param name="model">The model, run in eval mode (no dropout).</param>
    /// <param name="folder">The fixture.</param>
    /// <param name="routeAsInTraining">Runs the MoE layers in training mode, where a capacity factor drops tokens.</param>
    public static void AssertMatch(nn.Module model, string folder, bool routeAsInTraining = false)
    {
        model.eval();
        if (routeAsInTraining)
        {
            foreach (var moe in model.modules().OfType<SwitchMoeLayer>())
            {
                moe.train();
            }
        }

        var inputs = SafeTensorsFile.Read(Path.Combine(folder, "inputs.safetensors"));
        var expected = SafeTensorsFile.Read(Path.Combine(folder, "expected.safetensors"))["logits"];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (ids, types, mask) = (inputs["input_ids"], inputs["token_type_ids"], inputs["attention_mask"]);
        var logits = model switch
        {
            BertForMaskedLm maskedLm => maskedLm.forward(ids, types, mask, EncoderTaps.None, null).Logits,
            BertForSequenceClassification classifier => classifier.forward(ids, types, mask, EncoderTaps.None).Logits,
            _ => throw new InvalidOperationException($"The fixture '{folder}' has no logits for a {model.GetType().Name}."),
        };

        logits.shape.Should().Equal(expected.shape);
        // Padding positions are compared too: their queries attend to the real tokens exactly as in transformers.
        var worst = (logits - expected).abs().max().item<float>();
        worst.Should().BeLessThanOrEqualTo(Tolerance, $"logits must match the fixture's expected.safetensors within {Tolerance} (mask has {mask.eq(0).sum().item<long>()} padding tokens)");
    }
}
