using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Modeling;

/// <summary>
/// Recomputes BertForMaskedLM logits from the state dict with the formulas of Hugging Face <c>modeling_bert.py</c>
/// (post-LayerNorm, erf GELU written out, additive finfo.min mask), independently of the module code.
/// </summary>
public class ReferenceFormulaTests
{
    [Fact]
    public void Masked_lm_logits_match_the_hugging_face_formulas()
    {
        var config = TinyConfigs.Vanilla with { LayerNormEps = 1e-7 };
        manual_seed(60);
        using var model = new BertForMaskedLm(config);
        model.eval();
        using (no_grad())
        {
            // Non-trivial LayerNorm and bias values so a swapped parameter cannot hide.
            foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.EndsWith("bias") || p.name.Contains("LayerNorm")))
            {
                parameter.add_(randn_like(parameter) * 0.1);
            }
        }

        using var ids = TinyConfigs.RandomIds(config, 2, 7, seed: 61);
        using var types = tensor(new long[] { 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1 }).reshape(2, 7);
        using var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }).reshape(2, 7);
        using var _ = no_grad();

        var actual = model.forward(ids, types, mask, EncoderTaps.None, null).Logits;
        var expected = Reference(model.state_dict(), config, ids, types, mask);

        TinyConfigs.MaxAbsDiff(actual.narrow(1, 0, 4), expected.narrow(1, 0, 4)).Should().BeLessThan(1e-5);
        TinyConfigs.MaxAbsDiff(actual[0], expected[0]).Should().BeLessThan(1e-5);
    }

    private static Tensor Reference(Dictionary<string, Tensor> w, BertConfig config, Tensor ids, Tensor types, Tensor mask)
    {
        long batch = ids.shape[0], length = ids.shape[1], heads = config.NumHeads, headSize = config.HeadSize;
        Tensor Linear(Tensor x, string name) => matmul(x, w[name + ".weight"].t()) + w[name + ".bias"];
        Tensor Norm(Tensor x, string name)
        {
            var mean = x.mean([-1L], keepdim: true);
            var variance = (x - mean).square().mean([-1L], keepdim: true);
            return (x - mean) / (variance + config.LayerNormEps).sqrt() * w[name + ".weight"] + w[name + ".bias"];
        }

        static Tensor Gelu(Tensor x) => x * 0.5 * (1 + special.erf(x / Math.Sqrt(2)));
        Tensor Heads(Tensor x) => x.reshape(batch, length, heads, headSize).transpose(1, 2);

        var hidden = w["bert.embeddings.word_embeddings.weight"].index_select(0, ids.flatten()).reshape(batch, length, -1)
                     + w["bert.embeddings.token_type_embeddings.weight"].index_select(0, types.flatten()).reshape(batch, length, -1)
                     + w["bert.embeddings.position_embeddings.weight"].narrow(0, 0, length).unsqueeze(0);
        hidden = Norm(hidden, "bert.embeddings.LayerNorm");
        var additive = (1 - mask.to(ScalarType.Float32)).reshape(batch, 1, 1, length) * float.MinValue;
        for (var i = 0; i < config.NumLayers; i++)
        {
            var p = $"bert.encoder.layer.{i}.";
            var q = Heads(Linear(hidden, p + "attention.self.query"));
            var k = Heads(Linear(hidden, p + "attention.self.key"));
            var v = Heads(Linear(hidden, p + "attention.self.value"));
            var probabilities = (matmul(q, k.transpose(2, 3)) / Math.Sqrt(headSize) + additive).softmax(dim: -1);
            var context = matmul(probabilities, v).transpose(1, 2).reshape(batch, length, -1);
            var attended = Norm(Linear(context, p + "attention.output.dense") + hidden, p + "attention.output.LayerNorm");
            var inner = Gelu(Linear(attended, p + "intermediate.dense"));
            hidden = Norm(Linear(inner, p + "output.dense") + attended, p + "output.LayerNorm");
        }

        var transformed = Norm(Gelu(Linear(hidden, "cls.predictions.transform.dense")), "cls.predictions.transform.LayerNorm");
        return matmul(transformed, w["bert.embeddings.word_embeddings.weight"].t()) + w["cls.predictions.bias"];
    }
}
