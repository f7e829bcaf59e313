"""ipywidgets 탐색기(explorer): 살아 있는 커널에서 설정을 바꿔 가며 그림을 다시 그립니다.

HTML 책에는 커널이 없으므로, 탐색기마다 같은 그림 함수로 그린 정적(static) 그림을 옆에 둡니다.

- ``explorer``: 어느 장에서나 쓰는 틀. ``{인자 이름: (설명, 선택지)}`` 로 드롭다운을 만들고, 값이 바뀌면
  ``render(**값)`` 이 돌려준 Figure 를 다시 보여 줍니다.
- 2장: ``upsampling_explorer`` (방법 × 커널 크기 × 이미지), 정적 그림 ``upsampling_overview``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from IPython.display import display

from . import upsampling, viz


# --------------------------------------------------------------------------------------
# 공통 틀
# --------------------------------------------------------------------------------------
def explorer(render: Callable[..., plt.Figure], controls: dict[str, tuple[str, Sequence]]) -> widgets.VBox:
    """드롭다운 값이 바뀔 때마다 ``render(**값)`` 의 그림을 다시 보여 주는 탐색기를 만듭니다.

    Args:
        render: 키워드 인자를 받아 matplotlib Figure 를 돌려주는 함수.
        controls: ``{render 의 인자 이름: (한글 설명, 선택지)}``. 선택지는 값들 또는 ``(보이는 글, 값)`` 쌍들.
    Returns:
        드롭다운 줄과 그림 칸을 담은 ``ipywidgets.VBox`` (노트북에서 마지막 줄에 두면 보입니다).
    """
    if not controls:
        raise ValueError("controls 에 드롭다운이 하나 이상 있어야 합니다")
    dropdowns = {
        name: widgets.Dropdown(options=list(options), description=label, style={"description_width": "initial"})
        for name, (label, options) in controls.items()
    }
    output = widgets.Output()

    def refresh(_change=None) -> None:
        output.clear_output(wait=True)
        with output:
            figure = render(**{name: box.value for name, box in dropdowns.items()})
            display(figure)
            plt.close(figure)  # 한 번만 보이도록 (inline 백엔드가 다시 그리지 않게)

    for box in dropdowns.values():
        box.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox(list(dropdowns.values())), output])


# --------------------------------------------------------------------------------------
# 2장: 줄였다가 다시 키우기
# --------------------------------------------------------------------------------------
def roundtrip_figure(image: torch.Tensor, method: str, kernel_size: int, size: float = 2.6) -> plt.Figure:
    """원본 | k 배로 줄인 것 | ``method`` 로 다시 키운 것 (PSNR) | 오차 크기, 한 줄 그림.

    Args:
        image: (1, C, H, W); 오른쪽·아래를 잘라 ``kernel_size`` 의 배수로 맞춥니다.
    """
    image = upsampling.crop_to_multiple(image, kernel_size)
    small = torch.nn.functional.avg_pool2d(image, kernel_size)  # (1, C, H, W) -> (1, C, H/k, W/k), 보여 주기용
    restored = upsampling.roundtrip(image, method, kernel_size)
    error = (restored - image).abs().mean(dim=1, keepdim=True)  # 채널 평균 |오차|, (1, 1, H, W)
    name = upsampling.METHOD_NAMES[method]
    titles = ["원본", f"1/{kernel_size} 로 줄임", f"{name}: {upsampling.psnr(restored, image):.1f} dB", "|오차|"]
    return viz.image_grid([image[0], small[0], restored[0].clamp(0, 1), error[0]], titles=titles, size=size)


def upsampling_overview(image: torch.Tensor, kernel_sizes: Sequence[int] = (2, 4),
                        methods: Sequence[str] = upsampling.METHODS, size: float = 1.9,
                        name: str = "원본") -> plt.Figure:
    """탐색기 옆 정적 그림: 행 = 커널 크기, 열 = 원본 + 방법마다 다시 키운 이미지 (제목에 그 이미지의 PSNR).

    Args:
        name: 원본 열의 제목 (예: ``"얼굴 부분"``). PSNR 은 그림에 보이는 이 이미지에서 잰 값입니다.
    """
    rows, titles = [], []
    for k in kernel_sizes:
        cropped = upsampling.crop_to_multiple(image, k)
        restored = {m: upsampling.roundtrip(cropped, m, k) for m in methods}
        rows.append([cropped[0]] + [r[0].clamp(0, 1) for r in restored.values()])
        titles.append([f"{name} (k={k})"] + [
            f"{upsampling.METHOD_NAMES[m]}\n{upsampling.psnr(r, cropped):.1f} dB" for m, r in restored.items()
        ])
    return viz.image_grid(rows, titles=titles, size=size)


def upsampling_explorer(images: dict[str, torch.Tensor], kernel_sizes: Sequence[int] = (2, 3, 4, 6, 8),
                        methods: Sequence[str] = upsampling.METHODS) -> widgets.VBox:
    """방법 × 커널 크기 × 이미지를 골라 ``roundtrip_figure`` 를 보는 탐색기.

    Args:
        images: ``{이름: (1, C, H, W) 이미지}``.
    """
    if not images:
        raise ValueError("images 에 이미지가 하나 이상 있어야 합니다")
    controls = {
        "method": ("방법", [(upsampling.METHOD_NAMES[m], m) for m in methods]),
        "kernel_size": ("커널 크기 k", list(kernel_sizes)),
        "name": ("이미지", list(images)),
    }
    return explorer(lambda method, kernel_size, name: roundtrip_figure(images[name], method, kernel_size), controls)
