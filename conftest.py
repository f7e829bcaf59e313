"""pytest 전체 설정: 테스트와 nbval 이 띄우는 커널 모두 fast 프로필로 실행합니다."""

import os

# nbval 이 띄우는 Jupyter 커널은 이 프로세스의 환경 변수를 물려받습니다.
os.environ.setdefault("BOOK_FAST", "1")
