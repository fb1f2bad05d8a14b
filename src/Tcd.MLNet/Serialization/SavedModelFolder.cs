using System.Text.Json;
using Tcd.Models.Interop;

namespace Tcd.MLNet.Serialization;

/// <summary>Tells the two folder layouts a model is saved in apart: <c>BertModelStore</c>'s and Hugging Face's.</summary>
internal static class SavedModelFolder
{
    /// <summary>
    /// True when the folder's configuration names a <c>model_type</c>, as Hugging Face's do (<c>BertModelStore</c> writes
    /// none). False also when there is no configuration at all, so that <c>BertModelStore</c>'s loader names what is missing.
    /// </summary>
    public static bool IsHuggingFace(string folder)
    {
        var config = Path.Combine(folder, HuggingFaceCheckpoint.ConfigFileName);
        if (!File.Exists(config))
        {
            return false;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(config));
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("model_type", out _);
    }
}
