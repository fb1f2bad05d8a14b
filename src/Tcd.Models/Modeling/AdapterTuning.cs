using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Adapter tuning (Houlsby et al. 2019): only adapters, LayerNorms and the task head are trained; every other
/// parameter is frozen.
/// </summary>
internal static class AdapterTuning
{
    /// <summary>
    /// Sets <c>requires_grad</c> on every parameter of <paramref name="module"/>: true for adapters
    /// (<c>.adapter.</c>), LayerNorms (<c>LayerNorm.</c>) and names for which <paramref name="isTaskHead"/> holds,
    /// false for everything else.
    /// </summary>
    public static void Freeze(nn.Module module, Func<string, bool> isTaskHead)
    {
        if (!module.named_parameters().Any(parameter => IsAdapter(parameter.name)))
        {
            throw new InvalidOperationException("The model has no adapters to tune; call EnableAdapters(size) first (or set BertConfig.AdapterSize).");
        }

        foreach (var (name, parameter) in module.named_parameters())
        {
            parameter.requires_grad = IsAdapter(name) || IsLayerNorm(name) || isTaskHead(name);
        }
    }

    private static bool IsAdapter(string name) => name.Contains(".adapter.", StringComparison.Ordinal);

    private static bool IsLayerNorm(string name) =>
        name.StartsWith("LayerNorm.", StringComparison.Ordinal) || name.Contains(".LayerNorm.", StringComparison.Ordinal);
}
