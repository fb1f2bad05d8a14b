using Tcd.Models.Modeling;
using TorchSharp;

namespace Tcd.Models.Tests.Training;

/// <summary>Weights under which a training step's loss is finite but its gradient is not, in a masked-LM model and a classifier alike.</summary>
internal static class OverflowingGradient
{
    /// <summary>
    /// Sets <paramref name="bert"/>'s embeddings so that the embedding LayerNorm sees one constant vector per token: each
    /// word embedding row holds a single value (±1/64, a power of two, so that its mean and variance come out exact: 0
    /// variance), position and token-type embeddings are zero. The LayerNorm then outputs its bias whatever its gain, which
    /// is set to <see cref="float.MaxValue"/>: the forward pass and the loss stay finite. Its backward pass multiplies the
    /// incoming gradient by the gain and by 1 / sqrt(eps) = 1e6, which overflows fp32, so the word embeddings' gradient is
    /// infinite or NaN. The rows keep distinct values so that the masked-LM decoder, tied to them, still passes a gradient back.
    /// </summary>
    public static void Arrange(BertModel bert)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var parameters = bert.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var words = parameters["embeddings.word_embeddings.weight"];
        words.copy_(words.narrow(1, 0, 1).sign().div(64).expand_as(words));
        parameters["embeddings.position_embeddings.weight"].zero_();
        parameters["embeddings.token_type_embeddings.weight"].zero_();
        parameters["embeddings.LayerNorm.weight"].fill_(float.MaxValue);
    }
}
