using TorchSharp;

namespace Tcd.Models.Training;

/// <summary>Checks on a model's weights that the trainers run before writing a checkpoint.</summary>
internal static class ParameterChecks
{
    /// <summary>
    /// "parameter &lt;name&gt;" of the first parameter holding NaN or infinity and that value, or null when all are finite.
    /// </summary>
    internal static (string Parameter, double Value)? FirstNonFinite(torch.nn.Module model)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var parameters = model.named_parameters().ToList();
        var finite = torch.stack(parameters.Select(p => p.parameter.isfinite().all()).ToArray()).cpu().data<bool>().ToArray();
        var index = Array.IndexOf(finite, false);
        if (index < 0)
        {
            return null;
        }

        var (name, parameter) = parameters[index];
        var value = parameter.masked_select(parameter.isfinite().logical_not())[0].to(torch.ScalarType.Float64).cpu().item<double>();
        return ("parameter " + name, value);
    }
}
