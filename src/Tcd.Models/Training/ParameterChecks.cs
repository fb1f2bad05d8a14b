using TorchSharp;

namespace Tcd.Models.Training;

/// <summary>Checks on a model's weights that the trainers run before writing a checkpoint.</summary>
internal static class ParameterChecks
{
    /// <summary>"parameter &lt;name&gt;" of the first parameter holding NaN or infinity, or null when all are finite.</summary>
    internal static string? FirstNonFinite(torch.nn.Module model)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var parameters = model.named_parameters().ToList();
        var finite = torch.stack(parameters.Select(p => p.parameter.isfinite().all()).ToArray()).cpu().data<bool>().ToArray();
        var index = Array.IndexOf(finite, false);
        return index < 0 ? null : "parameter " + parameters[index].name;
    }
}
